"""bookvan.scenarios."""
