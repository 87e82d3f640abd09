-- Runs once, when the postgres container initialises an empty data volume.
-- One database per service that owns PostgreSQL state (scripts/stack/topology.ts DATABASES);
-- each service creates its own tables by applying its drizzle migrations at start.
CREATE DATABASE checkout;
CREATE DATABASE inventory;
CREATE DATABASE payment;
CREATE DATABASE orders;
