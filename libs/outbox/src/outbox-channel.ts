/** The PostgreSQL notification channel on which a commit that added outbox rows wakes the relay. */
export const OUTBOX_CHANNEL = 'saga_outbox';
