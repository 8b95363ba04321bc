"""同心 Tongxin: a platform for 党建引领基层治理 (grassroots governance led by Party building)."""
