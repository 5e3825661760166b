"""Training: the loop, one step, callbacks, history, schedules, checkpoints."""
