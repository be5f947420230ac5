"""ipas writes, one module per subject: activities (logging and approval), duplication, imports."""
