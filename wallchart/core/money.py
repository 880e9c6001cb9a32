"""Money as the record keeps it: whole 万元 (10,000 yuan). The amounts the rules name, said once;
how an amount reads on screen is ``formatting``'s."""

from __future__ import annotations

#: 1亿元 (100 million yuan) in 万元: the unit Chinese screens show totals in.
YI_WAN = 10_000
#: 10亿元 (1 billion yuan) in 万元: "projects of 1 billion yuan and above" (the indicator, the
#: board filter, the card's badge); English screens write amounts from it in billions.
BILLION_WAN = 100_000
