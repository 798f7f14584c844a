"""Online applications: configured forms, workflows, working-day clocks, material requests, delivery and evaluations."""
