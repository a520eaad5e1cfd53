-- Run once by the PostgreSQL container on an empty data volume (docker-compose.yml).
-- Without Docker, `npm run infra:up` creates the same databases idempotently.
CREATE DATABASE order_service;
CREATE DATABASE payment_service;
CREATE DATABASE inventory_service;
CREATE DATABASE notification_service;
