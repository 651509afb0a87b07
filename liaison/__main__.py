from liaison.cli import run

run()
