"""``flask demo load``: the demo towns with users for every role."""
import click


@click.group("demo", help="Demo data.")
def cli():
    pass
