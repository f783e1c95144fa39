// Events for the per-call benchmarks (Node: host-examples/node/bench.mjs; Chromium:
// host-examples/browser/bench.mjs): about 1 KB each, one that alerts and one the fast path rejects.

/** A Sysmon event 1 in evtx JSON, dns.exe starting cmd.exe, padded to about `bytes`. */
function sysmon(parent, bytes) {
  const event = {
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' } },
        EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'DNS01.corp.example',
        TimeCreated: { '#attributes': { SystemTime: '2026-01-15T10:20:30.123456Z' } },
      },
      EventData: {
        UtcTime: '2026-01-15 10:20:30.123', ProcessId: 4242, Image: 'C:\\Windows\\System32\\cmd.exe',
        CommandLine: 'cmd.exe /c whoami /priv', User: 'NT AUTHORITY\\SYSTEM', ParentImage: parent,
        ParentCommandLine: 'C:\\Windows\\System32\\dns.exe', Hashes: 'SHA256=', Pad: '',
      },
    },
  };
  const base = JSON.stringify(event).length;
  event.Event.EventData.Hashes += 'AB'.repeat(Math.max(0, Math.floor((bytes - base) / 2)));
  return JSON.stringify(event);
}

/** `{ alerting, rejected }`: two events of about 1 KB. */
export function benchEvents(bytes = 1024) {
  const rejected = sysmon('C:\\Windows\\System32\\services.exe', bytes).replaceAll('dns.exe', 'svc.exe');
  return { alerting: sysmon('C:\\Windows\\System32\\dns.exe', bytes), rejected };
}
