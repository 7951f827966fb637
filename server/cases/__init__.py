"""Cases: 低保, 特困, 临时救助, extensions by self-declaration, referrals."""
