"""Pure rules of insights: session metric aggregation, cited answers and excerpts."""
