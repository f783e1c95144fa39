// DOM building for the playground. Event data only ever reaches the page through
// textContent (el()'s text argument): no innerHTML, so log text can never become markup.

/** A new element with optional text content and attributes. */
export function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

/** Replaces the children of `node`. */
export const fill = (node, ...children) => node.replaceChildren(...children);

const SEED_FIELDS = [
  ['hostname', 'Host'], ['user_name', 'User'], ['process_name', 'Process'], ['file_name', 'File name'],
  ['command_line', 'Command line'], ['parent_process_name', 'Parent'], ['message', 'Message'],
  ['event_time', 'Event time'], ['shape', 'Log shape'], ['profile', 'Profile'], ['fingerprint', 'Fingerprint'],
];

/** Fills the alert card from a native alert. */
export function showCard(card, alert) {
  const s = alert.severity;
  card.querySelector('#card-h').textContent = alert.rule.name;
  card.querySelector('#card-severity').textContent =
    `Severity: ${s.label} — risk score ${s.score}, ECS ${s.ecs}, OCSF severity_id ${s.ocsf_id}`;
  const attack = (t, kind) => {
    const a = el('a', `${t.id} ${t.name}`, {
      href: `https://attack.mitre.org/${kind}/${t.id}/`, rel: 'noopener noreferrer', target: '_blank',
    });
    return a;
  };
  const mitre = card.querySelector('#card-mitre');
  fill(mitre, el('span', 'MITRE ATT&CK: '));
  alert.mitre.techniques.forEach((t) => mitre.append(attack(t, 'techniques'), ' '));
  mitre.append('— tactics ');
  alert.mitre.tactics.forEach((t, i) => mitre.append(i ? ', ' : '', attack(t, 'tactics')));
  const fields = [];
  for (const [key, label] of SEED_FIELDS) {
    if (alert[key] === undefined) continue;
    fields.push(el('dt', label), el('dd', alert[key], { 'data-field': key }));
  }
  fill(card.querySelector('#card-fields'), ...fields);
  fill(card.querySelector('#card-explanation tbody'), ...alert.explanation.map((r) => {
    const tr = el('tr');
    tr.append(el('td', r.condition), el('td', r.field), el('td', r.value));
    return tr;
  }));
  fill(card.querySelector('#card-notes'), ...alert.notes.map((n) => el('li', n)));
  card.hidden = false;
}

/** One row of the file scan's alert table. */
export function alertRow(r) {
  const tr = el('tr');
  for (const v of [r.index, r.hostname, r.process_name, r.command_line, r.parent_process_name, r.user_name, r.shape]) {
    tr.append(el('td', v));
  }
  return tr;
}
