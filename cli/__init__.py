"""bookvan.cli."""
