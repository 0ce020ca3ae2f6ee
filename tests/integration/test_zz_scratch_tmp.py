import re, time
from test_guests import boot_guests, guest

def test_stall(boot, backend):
    names = ["isolation", "smp", "lapic_timer"]
    m = boot_guests(boot, [guest("isolation", "0"), guest("smp", "1-2"), guest("lapic_timer", "3")], names, cpus=4)
    for n in names:
        mm = m.wait_for(re.compile(r"guest %s exited code" % n), 200)
        print(n, "ended at", round(m.elapsed, 2), "hv line:", m.output[max(0, mm.start()-30):mm.end()].splitlines()[-1])
    m.send("status")
    m.wait_for("uptime", 20)
    print(m.output[-300:])
