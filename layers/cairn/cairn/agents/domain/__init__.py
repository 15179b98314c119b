"""Pure rules of the agents context: the token estimate and the brief's assembly."""
