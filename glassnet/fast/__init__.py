"""Faster forms of core formulas, each tested equal to the readable one."""
