"""What each notebook shows, one function per section: notebooks hold narrative and parameters,
and call these. Every page opens with `open(...)`, which checks its parameters (the same rules
`reactions render` applies before a kernel starts) and loads the validated dataset."""
