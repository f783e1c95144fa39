// Splits the text of a log file into events, keeping each event's exact text (so the
// fingerprints match the CLI's): NDJSON lines, a JSON array, JSON objects one after
// another (pretty-printed is fine), or Windows event XML (<Event> elements, any wrapper).

/** Decodes file bytes: UTF-16 with a byte-order mark (as Event Viewer saves XML), else UTF-8. */
export function decode(bytes) {
  const b = new Uint8Array(bytes);
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b);
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b);
  return new TextDecoder('utf-8').decode(b);
}

/** The top-level values of JSON text from `start`: each `{...}` (or other value) as written. */
function jsonValues(text, start, inArray) {
  const events = [];
  let depth = 0;
  let from = -1;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      if (depth === 0 && from < 0) from = i;
    } else if (c === 123 || c === 91) { // { [
      if (depth === 0) from = i;
      depth++;
    } else if (c === 125 || c === 93) { // } ]
      depth--;
      if (depth === 0 && from >= 0) {
        events.push(text.slice(from, i + 1));
        from = -1;
      } else if (depth < 0) {
        break; // the closing ] of the array
      }
    } else if (depth === 0 && (c === 44 || c <= 32)) { // , or white space between values
      if (from >= 0) {
        events.push(text.slice(from, i));
        from = -1;
      }
    } else if (depth === 0 && from < 0) {
      from = i; // a bare scalar: kept, so it is reported as an error
    }
  }
  if (from >= 0) events.push(text.slice(from)); // unterminated: reported as malformed
  return inArray || events.length ? events : [];
}

/** `{ format, events }` for the whole text of a file. */
export function splitEvents(text) {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.search(/\S/);
  if (first < 0) return { format: 'empty', events: [] };
  if (body[first] === '<') {
    return { format: 'xml', events: body.match(/<Event[\s>][\s\S]*?<\/Event>/g) ?? [body.slice(first)] };
  }
  if (body[first] === '[') return { format: 'json-array', events: jsonValues(body, first + 1, true) };
  const lines = body.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim());
  // NDJSON when the first line is a whole JSON object; otherwise objects span lines.
  let ndjson = false;
  try {
    const first = JSON.parse(lines[0]);
    ndjson = typeof first === 'object' && first !== null && !Array.isArray(first);
  } catch {
    ndjson = false;
  }
  if (ndjson) return { format: 'ndjson', events: lines };
  return { format: 'json-stream', events: jsonValues(body, first, false) };
}
