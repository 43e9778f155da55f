// A form built from a flow's declared inputs (or a Pause's onResume inputs); submitted as the
// multipart text fields the API reads. Empty fields are left out, so declared defaults apply.
import { html, useState } from './html.js';

const asText = (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v, null, 2));

function initial(inputs) {
  const values = {};
  for (const i of inputs) {
    if (i.type === 'MULTISELECT') values[i.id] = Array.isArray(i.defaults) ? i.defaults.map(String) : [];
    else values[i.id] = asText(i.defaults);
  }
  return values;
}

function Field({ input, value, set }) {
  const id = `input-${input.id}`;
  const common = { id, name: input.id, 'data-input': input.id };
  switch (input.type) {
    case 'BOOLEAN':
    case 'BOOL':
      return html`<select ...${common} value=${value} onChange=${(e) => set(e.currentTarget.value)}>
        <option value="">(not set)</option><option value="true">true</option><option value="false">false</option>
      </select>`;
    case 'SELECT':
    case 'ENUM':
      if (input.allowCustomValue) {
        return html`<input ...${common} list=${`${id}-values`} value=${value} onInput=${(e) => set(e.currentTarget.value)} />
          <datalist id=${`${id}-values`}>${(input.values ?? []).map((v) => html`<option value=${String(v)} />`)}</datalist>`;
      }
      return html`<select ...${common} value=${value} onChange=${(e) => set(e.currentTarget.value)}>
        <option value="">(not set)</option>${(input.values ?? []).map((v) => html`<option value=${String(v)}>${String(v)}</option>`)}
      </select>`;
    case 'MULTISELECT':
      return html`<select ...${common} multiple onChange=${(e) => set([...e.currentTarget.selectedOptions].map((o) => o.value))}>
        ${(input.values ?? input.options ?? []).map((v) => html`<option value=${String(v)} selected=${value.includes(String(v))}>${String(v)}</option>`)}
      </select>`;
    case 'INT':
    case 'INTEGER':
      return html`<input ...${common} type="number" step="1" value=${value} onInput=${(e) => set(e.currentTarget.value)} />`;
    case 'FLOAT':
      return html`<input ...${common} type="number" step="any" value=${value} onInput=${(e) => set(e.currentTarget.value)} />`;
    case 'SECRET':
      return html`<input ...${common} type="password" autocomplete="off" value=${value} onInput=${(e) => set(e.currentTarget.value)} />`;
    case 'JSON':
    case 'YAML':
    case 'ARRAY':
      return html`<textarea ...${common} rows="4" spellcheck="false" value=${value} onInput=${(e) => set(e.currentTarget.value)}></textarea>`;
    case 'FILE':
      return html`<input ...${common} type="file" disabled title="FILE inputs need internal storage, not built yet" />`;
    default:
      return html`<input ...${common} type="text" placeholder=${placeholder(input.type)} value=${value} onInput=${(e) => set(e.currentTarget.value)} />`;
  }
}

function placeholder(type) {
  return { DATETIME: '2024-01-31T12:00:00Z', DATE: '2024-01-31', TIME: '12:00:00', DURATION: 'PT5M', URI: 'https://…', EMAIL: 'name@example.com' }[type] ?? '';
}

/** The form; `onSubmit(formData)` may throw (its error is shown by the caller). */
export function InputsForm({ inputs = [], submitLabel, onSubmit, busy = false, testId }) {
  const [values, setValues] = useState(() => initial(inputs));
  const submit = (e) => {
    e.preventDefault();
    const data = new FormData();
    for (const input of inputs) {
      const v = values[input.id];
      if (input.type === 'MULTISELECT') {
        if (v.length) data.append(input.id, JSON.stringify(v));
      } else if (v !== '' && v !== undefined) data.append(input.id, v);
    }
    onSubmit(data);
  };
  return html`<form class="inputs-form" onSubmit=${submit} data-testid=${testId}>
    ${inputs.map((input) => html`<div class="field">
      <label for=${`input-${input.id}`}>${input.displayName ?? input.id}${input.required !== false && input.defaults === undefined ? html`<span class="req" title="required">*</span>` : null}
        <span class="type">${input.type}</span></label>
      <${Field} input=${input} value=${values[input.id]} set=${(v) => setValues({ ...values, [input.id]: v })} />
      ${input.description ? html`<div class="help">${input.description}</div>` : null}
    </div>`)}
    ${inputs.length ? null : html`<p class="muted">No inputs.</p>`}
    <button type="submit" class="primary" disabled=${busy}>${submitLabel}</button>
  </form>`;
}
