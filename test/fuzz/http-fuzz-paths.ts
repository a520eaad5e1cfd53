import fc from 'fast-check';
import {
  SEEDED_CUSTOMERS,
  SEEDED_SKUS,
  UUID,
  fuzzRequest,
  get,
  nastyString,
  percentEncode,
  unknownSku,
} from './http-fuzz-requests';

/** Path segments that are no order id: anything but a UUID and the empty one (another route). */
const segment = fc
  .oneof(
    nastyString,
    fc.uuid().map((uuid) => uuid.replace(/.$/, 'z')),
  )
  .filter((text) => text.length > 0 && !UUID.test(text))
  .map(percentEncode);
/** Percent-encodings that do not decode: a bare `%`, bad hex, truncated UTF-8, a UTF-8 lone surrogate. */
const badEscapes = fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', 'a%', '%%');

/** GET and POST on the id routes of every service, with ids that do not exist or cannot exist. */
export const badPaths = fc.oneof(
  fc.oneof(segment, badEscapes, fc.uuid()).map((id) => get('order id', 'order', `/orders/${id}`)),
  fc
    .tuple(fc.oneof(segment, badEscapes, fc.uuid()), fc.option(fc.jsonValue({ maxDepth: 2 })))
    .map(([id, body]) =>
      fuzzRequest({
        label: 'cancel',
        service: 'order',
        method: 'POST',
        path: `/orders/${id}/cancel`,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body ?? {})),
      }),
    ),
  fc
    .oneof(
      nastyString.filter((id) => id.length > 0 && !SEEDED_CUSTOMERS.includes(id)).map(percentEncode),
      badEscapes,
    )
    .map((id) => get('account', 'payment', `/accounts/${id}`)),
  fc
    .oneof(
      nastyString.filter((sku) => sku.length > 0 && !SEEDED_SKUS.includes(sku)).map(percentEncode),
      unknownSku,
      badEscapes,
    )
    .map((sku) => get('product', 'inventory', `/products/${sku}`)),
  fc
    .oneof(segment, badEscapes)
    .map((id) => get('notifications', 'notification', `/notifications?orderId=${id}`)),
  fc
    .constantFrom('', '?orderId=', '?orderid=x', '?orderId[]=x', '?orderId[a]=b', '?orderId=a&orderId=b')
    .map((query) => get('notifications query', 'notification', `/notifications${query}`)),
);
