"""bookvan.demand."""
