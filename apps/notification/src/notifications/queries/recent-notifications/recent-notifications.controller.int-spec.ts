import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useHttpQueryApp } from '../../../../../../test/fixtures/integration';
import { NOTIFICATION_MIGRATIONS } from '../../../migrations';
import { ListNotificationsController } from '../list-notifications/list-notifications.controller';
import { ListNotificationsService } from '../list-notifications/list-notifications.service';
import { RecentNotificationsController } from './recent-notifications.controller';
import { RecentNotificationsService } from './recent-notifications.service';

describe('GET /notifications/recent (real PostgreSQL)', () => {
  const api = useHttpQueryApp('notification_recent', NOTIFICATION_MIGRATIONS, {
    controllers: [RecentNotificationsController, ListNotificationsController],
    providers: [RecentNotificationsService, ListNotificationsService],
  });

  const http = () => api.server();
  const orders = [randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    // 25 mails, one a minute: order 0 confirmed at 10:00, ..., the newest at 10:24.
    for (let minute = 0; minute < 25; minute += 1) {
      const orderId = minute < 3 ? orders[minute] : randomUUID();
      await api.dataSource.query(
        `INSERT INTO notifications (order_id, kind, event_id, recipient, subject, body, message_id, status,
                                    attempts, created_at, sent_at)
         VALUES ($1, 'ORDER_CONFIRMED', $2, 'alice@x.test', $3, 'body', $4, 'SENT', 1, $5, $5)`,
        [
          orderId,
          `e${minute}`,
          `mail ${minute}`,
          `<${orderId}.c>`,
          new Date(Date.UTC(2030, 0, 1, 10, minute)),
        ],
      );
    }
  });

  it('lists the 20 newest notifications, newest first, as GET /notifications?orderId= shows them', async () => {
    // Act
    const response = await request(http()).get('/notifications/recent');
    const forOrder = await request(http()).get(`/notifications?orderId=${orders[0]}`);
    const mails = response.body as { subject: string }[];

    // Assert
    expect(response.status).toBe(200);
    expect(mails).toHaveLength(20);
    expect(mails.map((mail) => mail.subject).slice(0, 3)).toEqual(['mail 24', 'mail 23', 'mail 22']);
    expect(mails[19].subject).toBe('mail 5');
    expect(Object.keys(mails[0]).sort()).toEqual(Object.keys((forOrder.body as object[])[0]).sort());
  });

  it('honours the limit', async () => {
    // Act
    const response = await request(http()).get('/notifications/recent?limit=100');

    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(25);
    expect(response.body[24]).toMatchObject({ orderId: orders[0], subject: 'mail 0', status: 'SENT' });
  });

  it.each(['0', '101', '2.5', 'many'])('answers 400 problem+json for limit=%s', async (limit) => {
    // Act
    const response = await request(http()).get(`/notifications/recent?limit=${limit}`);

    // Assert
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.detail).toMatch(/limit query parameter/);
  });

  it('keeps GET /notifications without an orderId a 400', async () => {
    // Act
    const response = await request(http()).get('/notifications');

    // Assert
    expect(response.status).toBe(400);
  });
});
