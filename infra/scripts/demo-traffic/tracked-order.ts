import type { PlannedOrder } from './traffic-mix';

/** `GET /orders/:id`, the fields the traffic reads. */
export interface OrderView {
  readonly orderId: string;
  readonly status: 'PENDING' | 'CONFIRMED' | 'CANCELLING' | 'CANCELLED';
  readonly reason?: string | null;
  readonly timeline: readonly { step: string; at: string }[];
}

/** Where the customer's cancellation stands: planned, in the air, or answered (or no longer needed). */
export type CancelState = 'planned' | 'sent' | 'accepted' | 'refused' | 'skipped' | 'failed';

/** An order the traffic placed, as last seen, and its planned cancellation. */
export class TrackedOrder {
  status: OrderView['status'] = 'PENDING';
  reason?: string;
  /** From the PLACED step to the step of the final status, by the order service's own clock. */
  latencyMs?: number;
  cancelState?: CancelState;

  constructor(
    readonly orderId: string,
    readonly plan: PlannedOrder,
  ) {
    if (plan.cancel) this.cancelState = 'planned';
  }

  /** Whether nothing more will happen to the order: a final status, and no cancellation to come. */
  get settled(): boolean {
    if (this.cancelState === 'planned' || this.cancelState === 'sent') return false;
    // An accepted cancellation ends in CANCELLED, even if the last look still showed CONFIRMED.
    if (this.cancelState === 'accepted') return this.status === 'CANCELLED';
    return this.status === 'CONFIRMED' || this.status === 'CANCELLED';
  }

  /** Whether the customer's "once confirmed" cancellation is due now. */
  get cancelDue(): boolean {
    return (
      this.cancelState === 'planned' &&
      this.plan.cancel?.moment === 'once confirmed' &&
      this.status === 'CONFIRMED'
    );
  }

  /** Takes in the order as `GET /orders/:id` shows it. */
  observe(view: OrderView): void {
    this.status = view.status;
    this.reason = view.reason ?? undefined;
    // The saga cancelled the order before it was confirmed: there is nothing left for the customer to cancel.
    const waitingForConfirmation =
      this.cancelState === 'planned' && this.plan.cancel?.moment === 'once confirmed';
    if (waitingForConfirmation && this.status === 'CANCELLED') this.cancelState = 'skipped';
    if (this.settled) this.latencyMs = latency(view);
  }
}

function latency(view: OrderView): number | undefined {
  const placed = view.timeline.find((step) => step.step === 'PLACED');
  const final = view.timeline.findLast((step) => step.step === view.status);
  if (!placed || !final) return undefined;
  return Date.parse(final.at) - Date.parse(placed.at);
}
