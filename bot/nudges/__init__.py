"""Growth prompts: which competency to ask about (choose.py), sending each once (runner.py),
on a schedule (clock.py). Never imports bot.slack: what it needs from Slack is in bot.slackkit."""
