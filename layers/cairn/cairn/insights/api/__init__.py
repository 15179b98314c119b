"""The insights routes: metrics, promote, contributors, intelligence."""
