/**
 * The networks lab's problem: the dataset (with its parameters, sliders from the network
 * catalogue's ranges, and its note), the share of it held out for validation and early
 * stopping, and the network — its hidden layers' widths, its activation (formula and note),
 * its weight initialisation, the dropout rate of its hidden layers and batch normalization.
 */

import { h } from '../dom.js';
import { paramLabel, tr } from '../i18n.js';
import { leftToRight } from '../format.js';
import { typeset } from '../tex.js';
import { registerSlot } from '../errors.js';
import { numericField, optionalField } from './numeric.js';
import { architectureOf, datasetEntry, datasetParams, validationOf }
  from '../networks/request.js';

/** Ranges wider than this are typed, not slid (a seed). */
const SLIDER_SPAN = 10_000;

/**
 * @param {HTMLElement} root
 * @param {{catalogues: Object, store: Object}} ctx
 * @returns {{update: (state: Object, race: ?Object) => void}}
 */
export function networkControl(root, { catalogues, store }) {
  const { datasets, activations, inits, architecture } = catalogues.networks;
  const { width, max_hidden_layers: maxLayers } = architecture;
  const dataset = h('select', { id: 'dataset-select', 'aria-label': tr('net.dataset_label') },
    ...datasets.map((d) => h('option', { value: d.id }, d.name)));
  dataset.addEventListener('change', (event) => store.update({ dataset: dataset.value,
    dataParams: {} }, { event }));
  const note = h('p', { class: 'note' });
  const params = h('div', { class: 'params' });

  const layers = h('div', { class: 'layers', id: 'layers' });
  const setLayers = (hidden, event) => store.update({ layers: hidden }, { event });
  const current = () => architectureOf(store.state, catalogues).hidden;
  const more = h('button', { type: 'button', class: 'small', id: 'layer-add',
    title: tr('net.add_layer_title'), onclick: (event) => {
      const hidden = current();
      setLayers([...hidden, hidden.at(-1) ?? architecture.default.hidden[0]], event);
    } }, tr('net.add_layer'));
  const fewer = h('button', { type: 'button', class: 'small', id: 'layer-remove',
    title: tr('net.remove_layer_title'), onclick: (event) => setLayers(current().slice(0, -1),
      event) }, tr('net.remove_layer'));
  const layersError = h('div', { class: 'field-error', id: 'layers-error' });
  registerSlot('net.architecture.hidden', layersError);
  const shape = h('div', { class: 'net-shape', id: 'net-shape' });

  const activation = h('select', { id: 'activation-select', 'aria-label': tr('net.activation') },
    ...activations.map((a) => h('option', { value: a.id }, a.name)));
  activation.addEventListener('change', (event) => store.update({
    activation: activation.value }, { event }));
  const activationNote = h('div', { class: 'note' });
  const init = h('select', { id: 'init-select', 'aria-label': tr('net.init_label') });
  init.addEventListener('change', (event) => store.update({ init: init.value }, { event }));
  const initNote = h('div', { class: 'note' });
  const { init_scale: sigmaRange, bias: biasRange, dropout: dropRange } = architecture;
  const sigma = numericField({ label: 'σ', title: sigmaRange.meaning, min: sigmaRange.min,
    max: sigmaRange.max, log: sigmaRange.log, value: sigmaRange.default,
    errorKey: 'net.architecture.init_scale',
    change: (value, event, dragging) => store.update({ initScale: value },
      { event, drag: dragging }) });
  const bias = numericField({ label: tr('net.bias'), title: biasRange.meaning, min: biasRange.min,
    max: biasRange.max, slider: false, value: biasRange.default,
    errorKey: 'net.architecture.bias',
    change: (value, event) => store.update({ bias: value }, { event }) });
  const dropout = numericField({ label: tr('net.dropout'), title: dropRange.meaning,
    min: dropRange.min, max: dropRange.max, value: dropRange.default,
    errorKey: 'net.architecture.dropout',
    change: (value, event, dragging) => store.update({ dropout: value },
      { event, drag: dragging }) });
  const { batch_norm: normInfo } = architecture;
  const batchNorm = h('input', { type: 'checkbox', id: 'batch-norm' });
  batchNorm.addEventListener('change', (event) => store.update({ batchNorm: batchNorm.checked },
    { event }));
  const batchNormError = h('div', { class: 'field-error' });
  registerSlot('net.architecture.batch_norm', batchNormError);
  const batchNormRow = h('div', {}, h('label', { class: 'check-row', title: normInfo.meaning },
    batchNorm, ` ${tr('net.batch_norm')}`), batchNormError);
  const architectureError = h('div', { class: 'field-error' });
  registerSlot('net.architecture', architectureError);
  const datasetError = h('div', { class: 'field-error' });
  registerSlot('net.dataset', datasetError);
  const held = heldOutControls(catalogues, store);

  root.append(
    h('h2', {}, tr('tab.network')),
    h('h3', {}, tr('net.data')), dataset, note, params, datasetError,
    h('h3', {}, tr('net.held_out')), held.el,
    h('h3', {}, tr('tab.network')),
    h('div', { class: 'layer-row' }, h('span', { class: 'field-label' }, tr('net.hidden_layers')),
      layers, more, fewer),
    layersError, shape,
    h('div', { class: 'schedule-row' }, h('span', { class: 'field-label' }, tr('net.activation')),
      activation),
    activationNote,
    h('div', { class: 'schedule-row' }, h('span', { class: 'field-label',
      title: tr('net.init_title') }, tr('net.init')), init),
    initNote, sigma.el, bias.el, dropout.el, batchNormRow, architectureError,
  );

  let builtDataset = '';
  let fields = {};
  let builtLayers = '';
  let builtActivation = '';

  function buildParams(entry, state) {
    fields = {};
    params.replaceChildren(...entry.params.map((p) => {
      if (entry.switches?.includes(p.name)) return switchField(p, state);
      const integer = Number.isInteger(p.default) && p.max >= 1000;
      const field = numericField({ label: paramLabel(p.name), title: p.meaning, min: p.min,
        max: p.max,
        log: p.log, integer, slider: p.max - p.min <= SLIDER_SPAN,
        value: state.dataParams[p.name] ?? p.default, errorKey: `net.dataset.params.${p.name}`,
        change: (value, event, dragging) => store.update({ dataParams: {
          ...store.state.dataParams, [p.name]: value } }, { event, drag: dragging }) });
      fields[p.name] = field;
      return field.el;
    }));
  }

  /** A 0/1 dataset parameter (standardise) as a check box, its message beside it. */
  function switchField(p, state) {
    const box = h('input', { type: 'checkbox', id: `data-${p.name}` });
    box.addEventListener('change', (event) => store.update({ dataParams: {
      ...store.state.dataParams, [p.name]: box.checked ? 1 : 0 } }, { event }));
    const error = h('div', { class: 'field-error' });
    registerSlot(`net.dataset.params.${p.name}`, error);
    box.checked = Boolean(state.dataParams[p.name] ?? p.default);
    fields[p.name] = { set: (value) => { box.checked = Boolean(value); } };
    return h('div', {}, h('label', { class: 'check-row', title: p.meaning }, box,
      ` ${tr('net.standardise')}`), error);
  }

  function buildLayers(hidden) {
    layers.replaceChildren(...hidden.map((w, k) => {
      const box = h('input', { type: 'number', class: 'num width', min: width.min,
        max: width.max, step: 1, value: String(w), 'aria-label': tr('net.units', { k: k + 1 }),
        title: tr('net.units_title', { k: k + 1, min: width.min, max: width.max }) });
      box.addEventListener('keydown', (event) => event.stopPropagation());
      box.addEventListener('change', (event) => {
        const value = Number(box.value);
        if (box.value === '' || !Number.isFinite(value)) return;
        // out-of-range widths go to the server, which names the problem under the row
        setLayers(current().map((v, i) => (i === k ? value : v)), event);
      });
      return box;
    }));
  }

  return {
    /** Sync with the state; `race` (the last finished one) tells the network's size. */
    update(state, race) {
      const entry = datasetEntry(state, catalogues);
      dataset.value = entry.id;
      if (entry.id !== builtDataset) {
        builtDataset = entry.id;
        note.textContent = entry.note;
        buildParams(entry, state);
      }
      const values = datasetParams(state, catalogues);
      for (const [name, field] of Object.entries(fields)) field.set(values[name]);

      const arch = architectureOf(state, catalogues);
      const key = arch.hidden.join(',');
      if (key !== builtLayers && !layers.contains(document.activeElement)) {
        builtLayers = key;
        buildLayers(arch.hidden);
      }
      more.disabled = arch.hidden.length >= maxLayers;
      fewer.disabled = arch.hidden.length === 0;
      const sizes = leftToRight([architecture.inputs, ...arch.hidden, architecture.outputs]
        .join(' → '));
      const described = arch.hidden.length ? sizes : tr('net.no_hidden', { sizes });
      shape.textContent = race?.architecture && race.architecture.hidden.join(',') === key
        ? tr('net.with_weights', { shape: described, n: race.architecture.n_params }) : described;

      activation.value = arch.activation;
      const act = activations.find((a) => a.id === arch.activation);
      if (act && act.id !== builtActivation) {
        builtActivation = act.id;
        activationNote.innerHTML = typeset(act.formula);
        activationNote.append(h('div', {}, act.note));
        const own = inits.find((i) => i.id === act.init);
        init.replaceChildren(h('option', { value: '' },
          tr('net.its_own', { name: own?.name ?? act.init })),
          ...inits.map((i) => h('option', { value: i.id }, i.name)));
      }
      init.value = state.init;
      const scheme = inits.find((i) => i.id === (state.init || act?.init));
      initNote.replaceChildren(...(scheme ? [h('span', { html: typeset(scheme.formula) }),
        h('div', {}, scheme.note)] : []));
      sigma.el.hidden = !scheme?.scaled;
      sigma.set(arch.init_scale);
      bias.set(arch.bias);
      dropout.set(arch.dropout);
      batchNorm.checked = arch.batch_norm;
      held.update(state);
    },
  };
}

/** The validation share and its seed, and early stopping (a patience that may be off, and
 * whether a run stops there keeping its best weights); early stopping is hidden while no
 * data is held out. */
function heldOutControls(catalogues, store) {
  const { validation, early_stopping: early } = catalogues.networks.race;
  const fraction = numericField({ label: tr('net.validation'), title: validation.fraction.meaning,
    min: validation.fraction.min, max: validation.fraction.max,
    value: validation.fraction.default, errorKey: 'net.validation.fraction',
    change: (value, event, dragging) => store.update({ valFraction: value },
      { event, drag: dragging }) });
  const seed = numericField({ label: tr('net.split_seed'), title: validation.seed, min: 0,
    max: 2 ** 31 - 1, integer: true, slider: false, value: 0, errorKey: 'net.validation.seed',
    change: (value, event) => store.update({ valSeed: value }, { event }) });
  const patience = optionalField({ label: tr('net.patience'), title: early.patience.meaning,
    min: early.patience.min, max: 1000, integer: true, value: null, fallback: 50,
    errorKey: 'net.early_stopping.patience',
    change: (value, event, dragging) => store.update({ patience: value },
      { event, drag: dragging }) });
  const stop = h('input', { type: 'checkbox', id: 'stop-early',
    'aria-label': tr('net.stop_label') });
  stop.addEventListener('change', (event) => store.update({ stopEarly: stop.checked },
    { event }));
  const stopRow = h('label', { class: 'check-row', title: early.stop }, stop,
    ` ${tr('net.stop_row')}`);
  const earlyBox = h('div', { id: 'early-stopping' }, patience.el, stopRow);
  const error = h('div', { class: 'field-error' });
  registerSlot('net.early_stopping', error);
  return {
    el: h('div', { id: 'held-out' }, fraction.el, seed.el, earlyBox, error),
    update(state) {
      const v = validationOf(state, catalogues);
      fraction.set(v.fraction);
      seed.set(v.seed);
      seed.el.hidden = earlyBox.hidden = !(v.fraction > 0);
      patience.set(state.patience);
      stop.checked = state.stopEarly;
      stop.disabled = state.patience === null;
    },
  };
}
