/** `ShipmentScheduled` → `shipment-scheduled`. */
export function kebabCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** `shipping` → `Shipping`, `shipment-scheduled` → `ShipmentScheduled`. */
export function pascalCase(words: string): string {
  return words
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** `ShipmentScheduled` → `shipmentScheduled`. */
export function camelCase(pascal: string): string {
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}
