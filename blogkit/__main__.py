from blogkit.commands.cli import run

run()
