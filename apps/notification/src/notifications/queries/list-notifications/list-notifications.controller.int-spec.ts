import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useHttpQueryApp } from '../../../../../../test/fixtures/integration';
import { NOTIFICATION_MIGRATIONS } from '../../../migrations';
import { ListNotificationsController } from './list-notifications.controller';
import { ListNotificationsService } from './list-notifications.service';

describe('GET /notifications (real PostgreSQL)', () => {
  const api = useHttpQueryApp('notification_list', NOTIFICATION_MIGRATIONS, {
    controllers: [ListNotificationsController],
    providers: [ListNotificationsService],
  });

  const http = () => api.server();

  it('lists the notifications of one order, oldest first', async () => {
    // Arrange
    const orderId = randomUUID();
    await api.dataSource.query(
      `INSERT INTO notifications (order_id, kind, event_id, recipient, subject, body, message_id, status,
                                  attempts, created_at, sent_at)
       VALUES ($1, 'ORDER_CONFIRMED', 'e1', 'alice@x.test', 'confirmed', 'body', $2, 'SENT', 1,
               '2030-01-01T10:00:00Z', '2030-01-01T10:00:01Z'),
              ($1, 'ORDER_CANCELLED', 'e2', 'alice@x.test', 'cancelled', 'body', $3, 'PENDING', 0,
               '2030-01-01T11:00:00Z', NULL),
              ($4, 'ORDER_CONFIRMED', 'e3', 'bob@x.test', 'other order', 'body', $5, 'SENT', 1, now(), now())`,
      [orderId, `<${orderId}.c>`, `<${orderId}.x>`, randomUUID(), `<${randomUUID()}.c>`],
    );

    // Act
    const response = await request(http()).get(`/notifications?orderId=${orderId}`);

    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      {
        id: expect.any(String),
        orderId,
        kind: 'ORDER_CONFIRMED',
        recipient: 'alice@x.test',
        subject: 'confirmed',
        status: 'SENT',
        messageId: `<${orderId}.c>`,
        attempts: 1,
        createdAt: '2030-01-01T10:00:00.000Z',
        sentAt: '2030-01-01T10:00:01.000Z',
      },
      expect.objectContaining({ kind: 'ORDER_CANCELLED', status: 'PENDING', attempts: 0, sentAt: null }),
    ]);
  });

  it('answers an empty list for an order without notifications', async () => {
    // Act
    const response = await request(http()).get(`/notifications?orderId=${randomUUID()}`);

    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
  });

  it.each([
    ['missing', '/notifications'],
    ['not a UUID', '/notifications?orderId=12345'],
    ['given twice', `/notifications?orderId=${randomUUID()}&orderId=${randomUUID()}`],
  ])('answers 400 problem+json when orderId is %s', async (_case, url) => {
    // Act
    const response = await request(http()).get(url);

    // Assert
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.detail).toMatch(/orderId query parameter/);
  });
});
