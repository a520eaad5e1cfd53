-- Run once by the PostgreSQL container on an empty data volume (docker-compose.yml).
-- Without Docker, `npm run infra:up` creates the same roles and databases idempotently.
-- Least privilege: each service connects as its own LOGIN role <service>_service, with no power over
-- the cluster, that owns its database <service>_service (and so, on PostgreSQL 15, its public schema)
-- and may connect to no other; no other role (PUBLIC) may connect to it. The container trusts every
-- connection (POSTGRES_HOST_AUTH_METHOD), so the roles have no password.

CREATE ROLE order_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE order_service OWNER order_service;
REVOKE CONNECT, TEMPORARY ON DATABASE order_service FROM PUBLIC;
GRANT CONNECT ON DATABASE order_service TO order_service;

CREATE ROLE payment_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE payment_service OWNER payment_service;
REVOKE CONNECT, TEMPORARY ON DATABASE payment_service FROM PUBLIC;
GRANT CONNECT ON DATABASE payment_service TO payment_service;

CREATE ROLE inventory_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE inventory_service OWNER inventory_service;
REVOKE CONNECT, TEMPORARY ON DATABASE inventory_service FROM PUBLIC;
GRANT CONNECT ON DATABASE inventory_service TO inventory_service;

CREATE ROLE notification_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE notification_service OWNER notification_service;
REVOKE CONNECT, TEMPORARY ON DATABASE notification_service FROM PUBLIC;
GRANT CONNECT ON DATABASE notification_service TO notification_service;
