"""Search phases around the OR-Tools engine: warm starts, fleet minimisation."""
