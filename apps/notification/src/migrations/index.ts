import { NotificationInitialSchema1795300000000 } from './1795300000000-notification-initial-schema';
import { NotificationClaimLease1795400000000 } from './1795400000000-notification-claim-lease';

/** The notification service's migrations, in order: the app runs them at boot, the tests too. */
export const NOTIFICATION_MIGRATIONS = [
  NotificationInitialSchema1795300000000,
  NotificationClaimLease1795400000000,
];
