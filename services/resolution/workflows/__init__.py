"""Resolution's use cases: load the rows, decide with the domain, persist, emit."""
