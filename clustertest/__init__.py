"""Gazette scaled out on one machine: PostgreSQL, Redis, two app servers, a
worker and nginx in front, started from Debian's packages on loopback
(clustertest/harness.py) and checked from outside (`make test-cluster`)."""
