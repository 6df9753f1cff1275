"""The ``relax`` command line: a thin shell over problems, solvers and the tuner."""
