"""What changed since a load: KPI moves, deals added/updated/removed, stage and status moves."""
