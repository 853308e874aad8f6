"""Slack played on 127.0.0.1 for the tests and the benchmarks: the Web API (fake_slack),
Socket Mode (fake_socket_mode), and requests signed as Slack signs them (slack_requests)."""
