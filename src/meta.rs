//! What the rule is, for people: identity, severity, ATT&CK mapping, guidance.
//! Facts (IDs, names, the seed's severity) come from the seed and MITRE; the prose is ours.

/// Stable rule identifier.
pub const RULE_ID: &str = "dnschild-0001";
/// A UUID for systems that key rules by UUID (ECS `rule.uuid`, OCSF `analytic.uid`).
pub const RULE_UUID: &str = "6f0c5b3e-2d4a-4c1e-9b7d-3a5e8c1f0d21";
/// The rule's name, as in the seed.
pub const RULE_NAME: &str = "Unusual Child Process of dns.exe";
/// The rule version (follows the crate version).
pub const RULE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Severity, with the seed's label and the equivalents other schemas use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severity {
    /// The seed's label.
    pub label: &'static str,
    /// A 0-100 risk score (ECS `event.severity`, Elastic `risk_score`).
    pub score: u8,
    /// The ECS / Elastic severity word.
    pub ecs: &'static str,
    /// OCSF `severity_id` (4 = High).
    pub ocsf_id: u8,
    /// OCSF `severity` caption.
    pub ocsf: &'static str,
    /// Syslog severity (RFC 5424: 3 = Error), for pipelines that route on it.
    pub syslog: u8,
}

/// The seed's "Trouble": the middle of its three levels (Attention, Trouble, Critical),
/// mapped to "high" everywhere else.
pub const SEVERITY: Severity = Severity { label: "Trouble", score: 73, ecs: "high", ocsf_id: 4, ocsf: "High", syslog: 3 };

/// A MITRE ATT&CK tactic or technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackRef {
    /// The ATT&CK ID, e.g. `TA0001` or `T1133`.
    pub id: &'static str,
    /// The ATT&CK name.
    pub name: &'static str,
    /// The ATT&CK page.
    pub reference: &'static str,
}

/// Tactics the rule maps to.
pub const TACTICS: [AttackRef; 2] = [
    AttackRef { id: "TA0001", name: "Initial Access", reference: "https://attack.mitre.org/tactics/TA0001/" },
    AttackRef { id: "TA0003", name: "Persistence", reference: "https://attack.mitre.org/tactics/TA0003/" },
];

/// Techniques the rule maps to.
pub const TECHNIQUES: [AttackRef; 1] =
    [AttackRef { id: "T1133", name: "External Remote Services", reference: "https://attack.mitre.org/techniques/T1133/" }];

/// A mitigation: MITRE ID, name, and what it means here (our words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mitigation {
    /// MITRE mitigation ID.
    pub id: &'static str,
    /// MITRE mitigation name.
    pub name: &'static str,
    /// What to do about it on a DNS server.
    pub description: &'static str,
}

/// Mitigations listed by the seed.
pub const MITIGATIONS: [Mitigation; 4] = [
    Mitigation {
        id: "M1042",
        name: "Disable or Remove Feature or Program",
        description: "Turn off remotely reachable services the DNS server does not need, and keep the DNS Server role only where it is required.",
    },
    Mitigation {
        id: "M1035",
        name: "Limit Access to Resource Over Network",
        description: "Only let approved networks reach the DNS server's management interfaces; route remote administration through managed gateways or VPNs.",
    },
    Mitigation {
        id: "M1032",
        name: "Multi-factor Authentication",
        description: "Require more than a password for the accounts that can administer DNS (members of DnsAdmins and domain admins).",
    },
    Mitigation {
        id: "M1030",
        name: "Network Segmentation",
        description: "Keep DNS servers in a segment that clients reach only on the DNS ports, with no direct path to their administrative services.",
    },
];

/// A control from a security standard that the rule helps meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardRef {
    /// The framework.
    pub framework: &'static str,
    /// The control ID.
    pub id: &'static str,
    /// How the rule serves it (our words).
    pub description: &'static str,
}

/// Standards mapping from the seed.
pub const STANDARDS: [StandardRef; 1] = [StandardRef {
    framework: "NIST Cybersecurity Framework 2.0",
    id: "DE.CM-01",
    description: "Watching what the DNS service starts is continuous monitoring of a core network service for signs of compromise.",
}];

/// The rule in one sentence (our words), for schemas with a short description field.
pub const SUMMARY: &str = "The Windows DNS Server (dns.exe) started a process other than conhost.exe: a sign of an \
exploited DNS service (SigRed, CVE-2020-1350) or of a ServerLevelPluginDll loaded through DnsAdmins rights.";

/// What the rule looks for and why (our words).
pub const DESCRIPTION: &str = "The Windows DNS Server service (dns.exe) answers name queries and, in normal operation, \
starts no programs of its own beyond the console host Windows attaches to console processes. A new process whose parent \
is dns.exe therefore deserves attention: it is what code running inside the DNS service looks like when it reaches for \
a shell, a script host or any other tool. Two well-known paths lead there: remote exploitation of the service itself \
(SigRed, CVE-2020-1350, a wormable flaw in how dns.exe parses SIG records) and abuse of the DnsAdmins group, whose \
members can make dns.exe load an arbitrary DLL through the ServerLevelPluginDll setting and run it as SYSTEM at the \
next service start.";

/// When the rule can fire on harmless activity (our words).
pub const FALSE_POSITIVES: [&str; 3] = [
    "Crash handling: when dns.exe fails, Windows Error Reporting (WerFault.exe) can start as its child; the sigma-cve-2020-1350 profile excludes it.",
    "Approved DNS server extensions or vendor plug-ins that start helper programs, and troubleshooting sessions that attach debuggers or run diagnostics from the service context.",
    "Third-party software that ships its own program named DNS.exe (a consumer DNS-filtering product installs one under Program Files); the elastic profile excludes the known one, and the allowlist covers others.",
];

/// What to do when the rule fires (our words).
pub const NEXT_STEPS: [&str; 5] = [
    "Decide whether the alert belongs to an incident already open for this host, or starts a new one.",
    "Look at the child's command line, account and file: a shell, PowerShell, script host, rundll32 or an unsigned binary under dns.exe is rarely benign.",
    "Check the DNS server for the DnsAdmins path: the ServerLevelPluginDll value under HKLM\\SYSTEM\\CurrentControlSet\\Services\\DNS\\Parameters, recent changes to DnsAdmins membership, and dnscmd /config runs.",
    "Check the patch level against CVE-2020-1350 and look for unusually large DNS responses or SIG records around the alert time.",
    "If it is malicious, isolate the server, stop the child process and its network connections, and rebuild trust in the domain (dns.exe runs as SYSTEM, often on a domain controller). If it is approved, add it to the allowlist rather than disabling the rule.",
];

/// Where to read more.
pub const REFERENCES: [&str; 5] = [
    "https://attack.mitre.org/techniques/T1133/",
    "https://msrc.microsoft.com/update-guide/vulnerability/CVE-2020-1350",
    "https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_dns_susp_child_process.yml",
    "https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_exploit_cve_2020_1350.yml",
    "https://github.com/elastic/detection-rules/blob/main/rules/windows/lateral_movement_unusual_dns_service_children.toml",
];

/// Who had the idea first (from the seed).
pub const AUTHOR: &str = "Tim Rauch, Elastic (idea); dnschild (this implementation)";
