from tongxin.demo.bench import gridwork
from tongxin.demo.bench.command import SizedBenchCommand


class Command(SizedBenchCommand):
    help = (
        "Top the grid-work log up to --entries (over a year and every grid; a city of --grids grids is "
        "generated on an empty database), then time a grid worker's 'my grid' and a street's monthly "
        "log figures; writes its section of BENCHMARKS.md with --output."
    )
    size = ("entries", 5_000_000)
    run = staticmethod(gridwork.run)
