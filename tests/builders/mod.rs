//! Event builders for the integration tests: one template per log shape, with `@P@` (parent
//! image) and `@C@` (child image) holes. The holes take text already encoded for their
//! container (see [`Enc`]), so tests can put escapes, character references or CDATA there.
//! No template names dns.exe anywhere else, so the holes are the only place it can appear.
#![allow(dead_code)]

use dnschild::Shape;

/// How a hole's text is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    /// Inside a JSON string.
    Json,
    /// XML element text.
    Xml,
    /// XML element text inside a JSON string (Fluent Bit `Render_Event_As_XML`).
    XmlInJson,
}

/// One shape's template and what its alert says besides the parent and child.
#[derive(Debug, Clone, Copy)]
pub struct ShapeCase {
    /// A short label for messages.
    pub label: &'static str,
    pub shape: Shape,
    pub enc: Enc,
    pub template: &'static str,
    pub host: &'static str,
    pub user: &'static str,
    /// The sources the explanation names for the kind, the parent and the child.
    pub sources: [&'static str; 3],
}

impl ShapeCase {
    /// The event with `parent` and `child` (plain text) encoded into the holes.
    pub fn event(&self, parent: &str, child: &str) -> String {
        self.raw(&encode(self.enc, parent), &encode(self.enc, child))
    }

    /// The event with already-encoded hole text.
    pub fn raw(&self, parent: &str, child: &str) -> String {
        self.template.replace("@P@", parent).replace("@C@", child)
    }
}

/// The JSON string body for `s` (no quotes).
pub fn json_body(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap();
    q[1..q.len() - 1].to_string()
}

/// `s` as XML element text.
pub fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `s` encoded for a hole of kind `enc`.
pub fn encode(enc: Enc, s: &str) -> String {
    match enc {
        Enc::Json => json_body(s),
        Enc::Xml => xml_text(s),
        Enc::XmlInJson => json_body(&xml_text(s)),
    }
}

const SYSTEM: &str = "NT AUTHORITY\\SYSTEM";
const MACHINE: &str = "CORP\\DNS01$";
const FQDN: &str = "DNS01.corp.example";

pub const SHAPES: [ShapeCase; 20] = [
    ShapeCase {
        label: "evtx_json sysmon",
        shape: Shape::EvtxJson,
        enc: Enc::Json,
        template: r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"DNS01.corp.example","TimeCreated":{"#attributes":{"SystemTime":"2025-05-01T10:00:00.000Z"}}},"EventData":{"Image":"@C@","CommandLine":"cmd.exe /c whoami","User":"NT AUTHORITY\\SYSTEM","ParentImage":"@P@"}}}"##,
        host: FQDN,
        user: SYSTEM,
        sources: ["Event.System.EventID", "Event.EventData.ParentImage", "Event.EventData.Image"],
    },
    ShapeCase {
        label: "evtx_json 4688",
        shape: Shape::EvtxJson,
        enc: Enc::Json,
        template: r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing"}},"EventID":{"#attributes":{"Qualifiers":0},"#text":4688},"Version":2,"Channel":"Security","Computer":"DNS01.corp.example"},"EventData":{"SubjectUserName":"DNS01$","SubjectDomainName":"CORP","NewProcessName":"@C@","CommandLine":"cmd.exe /c whoami","ParentProcessName":"@P@"}}}"##,
        host: FQDN,
        user: MACHINE,
        sources: ["Event.System.EventID", "Event.EventData.ParentProcessName", "Event.EventData.NewProcessName"],
    },
    ShapeCase {
        label: "winlogbeat",
        shape: Shape::Winlogbeat,
        enc: Enc::Json,
        template: r#"{"@timestamp":"2025-05-01T10:00:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"DNS01.corp.example","event_id":"1","provider_name":"Microsoft-Windows-Sysmon","event_data":{"Image":"@C@","CommandLine":"cmd.exe /c whoami","User":"NT AUTHORITY\\SYSTEM","ParentImage":"@P@"}}}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["winlog.event_id", "winlog.event_data.ParentImage", "winlog.event_data.Image"],
    },
    ShapeCase {
        label: "ecs executable",
        shape: Shape::Ecs,
        enc: Enc::Json,
        template: r#"{"@timestamp":"2025-05-01T10:00:00.000Z","event":{"category":["process"],"type":["start"]},"host":{"name":"DNS01.corp.example"},"user":{"domain":"NT AUTHORITY","name":"SYSTEM"},"process":{"executable":"@C@","command_line":"cmd.exe /c whoami","parent":{"executable":"@P@"}}}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["event.type", "process.parent.executable", "process.executable"],
    },
    ShapeCase {
        label: "ecs parent name only",
        shape: Shape::Ecs,
        enc: Enc::Json,
        template: r#"{"event":{"code":"4688","category":"process","type":"start"},"host":{"name":"DNS01.corp.example"},"user":{"domain":"CORP","name":"DNS01$"},"process":{"executable":"@C@","command_line":"cmd.exe /c whoami","parent":{"name":"@P@"}}}"#,
        host: FQDN,
        user: MACHINE,
        sources: ["event.type", "process.parent.name", "process.executable"],
    },
    ShapeCase {
        label: "fluentbit 23",
        shape: Shape::FluentBitWinevtlog,
        enc: Enc::Json,
        template: r#"{"ProviderName":"Microsoft-Windows-Sysmon","EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"DNS01.corp.example","TimeCreated":"2025-05-01 10:00:00 +0000","UserID":"S-1-5-18","Message":"","StringInserts":["-","2025-05-01 10:00:00.000","{1A2B3C4D-0000-6813-0101-000000001000}",4100,"@C@","1.0","Tool","Product","Vendor","tool.exe","cmd.exe /c whoami","C:\\Windows\\system32\\","NT AUTHORITY\\SYSTEM","{1A2B3C4D-0000-6813-E703-000000000000}","0x3e7",0,"System","SHA256=00","{1A2B3C4D-0000-6813-0202-000000001000}",2100,"@P@","service host","NT AUTHORITY\\SYSTEM"]}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["EventID", "StringInserts[20]", "StringInserts[4]"],
    },
    ShapeCase {
        label: "fluentbit 22",
        shape: Shape::FluentBitWinevtlog,
        enc: Enc::Json,
        template: r#"{"ProviderName":"Microsoft-Windows-Sysmon","EventID":1,"Computer":"DNS01.corp.example","TimeCreated":"2025-05-01 10:00:00 +0000","UserID":"S-1-5-18","StringInserts":["-","2025-05-01 10:00:00.000","{1A2B3C4D-0000-6813-0101-000000001000}","4100","@C@","1.0","Tool","Product","Vendor","tool.exe","cmd.exe /c whoami","C:\\Windows\\system32\\","NT AUTHORITY\\SYSTEM","{1A2B3C4D-0000-6813-E703-000000000000}","0x3e7","0","System","SHA256=00","{1A2B3C4D-0000-6813-0202-000000001000}","2100","@P@","service host"]}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["EventID", "StringInserts[20]", "StringInserts[4]"],
    },
    ShapeCase {
        label: "fluentbit 21",
        shape: Shape::FluentBitWinevtlog,
        enc: Enc::Json,
        template: r#"{"ProviderName":"Microsoft-Windows-Sysmon","EventID":1,"Computer":"DNS01.corp.example","UserID":"S-1-5-18","StringInserts":["-","2025-05-01 10:00:00.000","{1A2B3C4D-0000-6813-0101-000000001000}","4100","@C@","1.0","Tool","Product","Vendor","cmd.exe /c whoami","C:\\Windows\\system32\\","NT AUTHORITY\\SYSTEM","{1A2B3C4D-0000-6813-E703-000000000000}","0x3e7","0","System","SHA256=00","{1A2B3C4D-0000-6813-0202-000000001000}","2100","@P@","service host"]}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["EventID", "StringInserts[19]", "StringInserts[4]"],
    },
    ShapeCase {
        label: "fluentbit 4688 15",
        shape: Shape::FluentBitWinevtlog,
        enc: Enc::Json,
        template: r#"{"ProviderName":"Microsoft-Windows-Security-Auditing","EventID":4688,"Channel":"Security","Computer":"DNS01.corp.example","UserID":"","StringInserts":["S-1-5-18","DNS01$","CORP","0x3e7","0x1004","@C@","%%1936","0x834","cmd.exe /c whoami","S-1-0-0","-","-","0x0","@P@","S-1-16-16384"]}"#,
        host: FQDN,
        user: MACHINE,
        sources: ["EventID", "StringInserts[13]", "StringInserts[5]"],
    },
    ShapeCase {
        label: "fluentbit map",
        shape: Shape::FluentBitWinevtlogMap,
        enc: Enc::Json,
        template: r#"{"ProviderName":"Microsoft-Windows-Sysmon","EventID":1,"Computer":"DNS01.corp.example","UserID":"S-1-5-18","EventData":{"Image":"@C@","CommandLine":"cmd.exe /c whoami","User":"NT AUTHORITY\\SYSTEM","ParentImage":"@P@"}}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["EventID", "EventData.ParentImage", "EventData.Image"],
    },
    ShapeCase {
        label: "fluentbit xml",
        shape: Shape::FluentBitWinevtlogXml,
        enc: Enc::XmlInJson,
        template: r#"{"System":"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/><EventID>1</EventID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>DNS01.corp.example</Computer></System><EventData><Data Name='Image'>@C@</Data><Data Name='CommandLine'>cmd.exe /c whoami</Data><Data Name='User'>NT AUTHORITY\\SYSTEM</Data><Data Name='ParentImage'>@P@</Data></EventData></Event>","Message":"Process Create:"}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["System.EventID", "EventData.ParentImage", "EventData.Image"],
    },
    ShapeCase {
        label: "fluentbit winlog",
        shape: Shape::FluentBitWinlog,
        enc: Enc::Json,
        template: r#"{"RecordNumber":77,"TimeGenerated":"2025-05-01 10:00:00 +0000","EventID":4688,"Channel":"Security","SourceName":"Microsoft-Windows-Security-Auditing","ComputerName":"DNS01.corp.example","StringInserts":["S-1-5-18","DNS01$","CORP","0x3e7","0x1004","@C@","%%1936","0x834","cmd.exe /c whoami","S-1-0-0","-","-","0x0","@P@","S-1-16-16384"]}"#,
        host: FQDN,
        user: MACHINE,
        sources: ["EventID", "StringInserts[13]", "StringInserts[5]"],
    },
    ShapeCase {
        label: "nxlog sysmon",
        shape: Shape::NxlogJson,
        enc: Enc::Json,
        template: r#"{"EventTime":"2025-05-01 10:00:00","Hostname":"DNS01.corp.example","EventID":1,"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","Image":"@C@","CommandLine":"cmd.exe /c whoami","User":"NT AUTHORITY\\SYSTEM","ParentImage":"@P@"}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["EventID", "ParentImage", "Image"],
    },
    ShapeCase {
        label: "nxlog 4688",
        shape: Shape::NxlogJson,
        enc: Enc::Json,
        template: r#"{"EventTime":"2025-05-01 10:00:00","Hostname":"DNS01.corp.example","EventID":4688,"SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","SubjectUserName":"DNS01$","SubjectDomainName":"CORP","NewProcessName":"@C@","CommandLine":"cmd.exe /c whoami","ParentProcessName":"@P@"}"#,
        host: FQDN,
        user: MACHINE,
        sources: ["EventID", "ParentProcessName", "NewProcessName"],
    },
    ShapeCase {
        label: "splunk raw",
        shape: Shape::SplunkRaw,
        enc: Enc::Json,
        template: r#"{"_time":"2025-05-01T10:00:00.000+00:00","source":"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational","EventCode":"1","Computer":"DNS01.corp.example","Image":"@C@","ParentImage":"@P@","CommandLine":"cmd.exe /c whoami","User":"NT AUTHORITY\\SYSTEM"}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["EventCode", "ParentImage", "Image"],
    },
    ShapeCase {
        label: "splunk cim",
        shape: Shape::SplunkCim,
        enc: Enc::Json,
        template: r#"{"_time":"2025-05-01T10:00:00.000+00:00","dest":"DNS01.corp.example","parent_process_path":"@P@","process_path":"@C@","process":"cmd.exe /c whoami","user":"NT AUTHORITY\\SYSTEM"}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["-", "parent_process_path", "process_path"],
    },
    ShapeCase {
        label: "ocsf",
        shape: Shape::Ocsf,
        enc: Enc::Json,
        template: r#"{"class_uid":1007,"activity_id":1,"type_uid":100701,"time":1746093600000,"device":{"hostname":"DNS01.corp.example"},"process":{"cmd_line":"cmd.exe /c whoami","file":{"path":"@C@"},"user":{"name":"SYSTEM","domain":"NT AUTHORITY"}},"actor":{"process":{"file":{"path":"@P@"}}}}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["activity_id", "actor.process.file.path", "process.file.path"],
    },
    ShapeCase {
        label: "log360",
        shape: Shape::Log360,
        enc: Enc::Json,
        template: r#"{"actionname":"Process started","HOSTNAME":"DNS01.corp.example","COMMANDLINE":"cmd.exe /c whoami","PROCESSNAME":"@C@","USERNAME":"NT AUTHORITY\\SYSTEM","PARENTPROCESSNAME":"@P@"}"#,
        host: FQDN,
        user: SYSTEM,
        sources: ["actionname", "PARENTPROCESSNAME", "PROCESSNAME"],
    },
    ShapeCase {
        label: "xml sysmon",
        shape: Shape::EventXml,
        enc: Enc::Xml,
        template: r"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/><EventID>1</EventID><TimeCreated SystemTime='2025-05-01T10:00:00.0000000Z'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>DNS01.corp.example</Computer></System><EventData><Data Name='Image'>@C@</Data><Data Name='CommandLine'>cmd.exe /c whoami</Data><Data Name='User'>NT AUTHORITY\SYSTEM</Data><Data Name='ParentImage'>@P@</Data></EventData></Event>",
        host: FQDN,
        user: SYSTEM,
        sources: ["System.EventID", "EventData.ParentImage", "EventData.Image"],
    },
    ShapeCase {
        label: "xml 4688",
        shape: Shape::EventXml,
        enc: Enc::Xml,
        template: r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4688</EventID><Version>2</Version><Channel>Security</Channel><Computer>DNS01.corp.example</Computer></System><EventData><Data Name="SubjectUserName">DNS01$</Data><Data Name="SubjectDomainName">CORP</Data><Data Name="NewProcessName">@C@</Data><Data Name="CommandLine">cmd.exe /c whoami</Data><Data Name="ParentProcessName">@P@</Data></EventData></Event>"#,
        host: FQDN,
        user: MACHINE,
        sources: ["System.EventID", "EventData.ParentProcessName", "EventData.NewProcessName"],
    },
];

/// Every spelling of the parent the tests use (all name a file dns.exe).
pub const PARENT_FORMS: [&str; 8] = [
    r"C:\Windows\System32\dns.exe",
    r"\\?\C:\Windows\System32\dns.exe",
    r"\??\C:\Windows\System32\dns.exe",
    r"\Device\HarddiskVolume3\Windows\System32\dns.exe",
    r"\\dnsadm01\c$\Windows\System32\dns.exe",
    "C:/Windows/System32/dns.exe",
    r"C:\WINDOWS\SYSTEM32\DNS.EXE",
    "dns.exe",
];

/// The same spellings for a child cmd.exe.
pub const CHILD_FORMS: [&str; 8] = [
    r"C:\Windows\System32\cmd.exe",
    r"\\?\C:\Windows\System32\cmd.exe",
    r"\??\C:\Windows\System32\cmd.exe",
    r"\Device\HarddiskVolume3\Windows\System32\cmd.exe",
    r"\\fs01.corp.example\tools$\cmd.exe",
    "C:/Windows/System32/cmd.exe",
    r"C:\WINDOWS\SYSTEM32\CMD.EXE",
    "cmd.exe",
];

/// The default parent and child.
pub const DNS: &str = r"C:\Windows\System32\dns.exe";
pub const CMD: &str = r"C:\Windows\System32\cmd.exe";
