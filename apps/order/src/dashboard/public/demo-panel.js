import { clock, getJson, h, withToken } from './dom.js';

/**
 * The demo's panels, fed by its control server (`DASHBOARD_DEMO_CONTROL_URL`, set by `npm run demo`):
 * every instance's state — up, down, restarting, and "back" once up again after a restart — with a
 * list of what happened to them; and, when the demo runs with `--chaos` and the viewer is an admin, the
 * chaos panel that kills an instance, freezes the broker, cuts a database's connections or injects a
 * poison record. The control server checks the token again: hiding the panel is a courtesy, not a guard.
 */
export class DemoPanel {
  constructor({ controlUrl, panel, instances, note, events, broker, chaos }) {
    Object.assign(this, { controlUrl, instances, note, events, broker, chaos });
    this.seen = new Map();
    this.rows = new Map();
    panel.hidden = false;
    chaos.kill.addEventListener('click', () =>
      this.inject('kill', { instance: chaos.instance.value }, (done) => `${done.id} killed (SIGKILL)`),
    );
    chaos.freeze.addEventListener('click', () =>
      this.inject(
        'freeze-broker',
        { seconds: Number(chaos.seconds.value) },
        (done) => `broker (pid ${done.pid}) frozen until ${clock(new Date(done.frozenUntil).toISOString())}`,
      ),
    );
    chaos.cut.addEventListener('click', () =>
      this.inject(
        'cut-database',
        { service: chaos.database.value },
        (done) => `${done.database}: ${done.connections} connection(s) terminated`,
      ),
    );
    chaos.poison.addEventListener('click', () =>
      this.inject(
        'poison',
        { topic: chaos.topic.value },
        (done) =>
          `poison (${done.kind}) on ${done.topic}: dead-lettered by ${done.deadLetteredBy.join(', ')}`,
      ),
    );
  }

  async refresh() {
    const status = await getJson(`${this.controlUrl}/status`);
    for (const instance of status.instances) this.show(instance);
    const away = status.instances
      .filter((instance) => instance.state !== 'up')
      .map((instance) => instance.id);
    const [them, are] = away.length > 1 ? ['them', 'they are'] : ['it', 'it is'];
    this.note.textContent = away.length
      ? `${away.join(', ')} away: the saga waits for ${them}; its events stay in Kafka until ${are} back`
      : '';
    const { state, frozenUntil } = status.broker;
    this.broker.textContent =
      state === 'frozen' ? `broker frozen until ${clock(new Date(frozenUntil).toISOString())}` : '';
    this.chaos.panel.hidden = !(status.chaos && status.viewer.admin);
    if (this.chaos.instance.options.length !== status.instances.length) {
      this.chaos.instance.replaceChildren(
        ...status.instances.map((instance) => h('option', { value: instance.id }, instance.id)),
      );
    }
  }

  show(instance) {
    const state = instance.state === 'up' && instance.restarts > 0 ? 'back' : instance.state;
    const detail =
      state === 'back'
        ? `pid ${instance.pid} · restarted ${instance.restarts}× (last exit: ${instance.lastExit})`
        : state === 'down'
          ? `exited: ${instance.lastExit}`
          : instance.pid
            ? `pid ${instance.pid}`
            : '';
    let row = this.rows.get(instance.id);
    if (!row) {
      row = h('li', { 'data-instance': instance.id });
      this.rows.set(instance.id, row);
      this.instances.append(row);
    }
    row.dataset.state = state;
    row.replaceChildren(
      h('span', {}, h('span', { class: `svc ${instance.service}` }, instance.id)),
      h('span', { class: 'instance-detail' }, detail),
      h('span', { class: 'instance-state' }, state),
    );
    const before = this.seen.get(instance.id);
    this.seen.set(instance.id, state);
    if (before !== undefined && before !== state) {
      this.events.prepend(
        h(
          'li',
          { 'data-instance': instance.id, 'data-state': state },
          `${clock(new Date().toISOString())} ${instance.id}: ${before} → ${state}`,
        ),
      );
    }
  }

  async inject(fault, body, describe) {
    const result = this.chaos.result;
    result.textContent = `${fault}…`;
    result.classList.remove('error');
    delete result.dataset.fault;
    try {
      const response = await fetch(
        `${this.controlUrl}/chaos/${fault}`,
        withToken({
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.detail ?? `${response.status}`);
      result.textContent = describe(answer);
      // What was done, for a test or a script to wait on.
      result.dataset.fault = fault;
    } catch (error) {
      result.textContent = `${fault} refused: ${error.message}`;
      result.classList.add('error');
    }
    void this.refresh().catch(() => undefined);
  }
}
