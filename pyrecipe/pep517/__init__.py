"""The PEP 517 frontend that do_compile and do_install run, the backend hooks, wheel install, RECORD."""
