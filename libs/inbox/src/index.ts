export * from './create-inbox.migration';
export * from './delete-expired-inbox';
export * from './record-all-in-inbox';
export * from './record-in-inbox';
