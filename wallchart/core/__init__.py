"""The tables and the rules every layer shares: the models, the vocabularies (stages, sectors,
roles, county kinds), the early warnings, money and time on screen, the errors services raise,
write transactions, Asia/Shanghai time, the limits of what a request may carry, the allowed
origins of sockets and the build a process serves.

The lowest layer: imports nothing of wallchart's other packages, only ``wallchart.extensions``
(and ``wallchart.config``). Every layer above may import it (the layers contract in setup.cfg).
"""
