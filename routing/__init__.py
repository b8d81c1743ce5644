"""bookvan.routing."""
