from tongxin.demo.bench import households
from tongxin.demo.bench.command import SizedBenchCommand


class Command(SizedBenchCommand):
    help = (
        "Top the households up to --households over every grid (a city of --grids grids is generated on "
        "an empty database), then time a grid worker's and a street official's household pages and the "
        "API list; writes its section of BENCHMARKS.md with --output."
    )
    size = ("households", 1_000_000)
    run = staticmethod(households.run)
