"""The growth loop, below Slack: self-assessment progress, prompt order, re-assessment
timing, the promotion packet, ladder-change notes and aggregate workspace stats.

Plain data in, plain data out: no Slack here, and storage only through the Store API.
"""
