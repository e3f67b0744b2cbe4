"""Word lists for ``names``: words that are capitalised for reasons other than being a name."""
from __future__ import annotations

# Trimmed from either end of a run of capitalised words ("The Met on Monday" -> "Met").
EDGE = frozenset("""
a an the and or but nor so yet if as at by in on of off for from into onto to with without within over under
after before since until while when whenever where wherever why how what which who whom whose that this these
those there here then than it its it's he she they we i you me him her them us our ours their his hers my your
is are was were be been being has have had do does did will would shall should can could may might must not no
yes all any some many much more most few each every both either neither other another such same only also even
just still already again ever never always often sometimes once twice today yesterday tomorrow tonight now
according although though however meanwhile moreover nevertheless nonetheless instead otherwise therefore
thus hence indeed perhaps almost about above across against along among around behind below beneath beside
between beyond during except inside near outside per through throughout toward towards upon via
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
mr mrs ms miss dr prof
""".split())

# Common English words: a capitalised single word that is one of these is not reported as a name, and an
# all-lowercase spelling of a known name made only of these ("home office", "met") is not a case variant.
COMMON = EDGE | frozenset("""
about act action add age ago agree air allow answer area arm army art ask attack away back bad bank base bear
beat become bed begin believe best better big bill black blue board body book born break bring brother build
business buy call capital car care carry case cause centre change charge chief child children city claim class
clear close cold come common community company control cost council country course court cover create crime
cut dark day dead deal death decide deep defence department development die different director do door down
draw early east eat economy education effect end energy enough enter evening event evidence fall family far
father fear feel field fight figure final find fine fire first force foreign form former free friend front full
fund future game general get girl give go good government great green ground group grow guard hand hard head
health hear heart help high history hold home hope hospital hour house human idea important include industry
inquiry interest issue job join judge keep key kind king know labour land large last late law lead leader
leave left legal less let letter level lie life light like line list little live local long look lord lose
loss love low main major make man market mark matter mean meet member met might million minister miss money
month morning mother move murder name nation national nature need network new news next night north note
number offer office officer officers official old one open order out own page paper park part party pass past
pay peace people place plan play point police policy political poor post power president press price prime
private problem process public put question quite race rate read ready real reason record red report
research rest result return right rise river road role room rule run safe say school second secretary see
seem sell send senior sense serve service set share short show side sign single sir small social society son
south speak special staff stand start state station stay step stop story street strong student study
support sure system take talk team tell term test thing think three time top town trade true trust try turn
two union unit up use very view vote wait walk want war watch water way week well west white whole wife win
woman women word work world write year young
""".split())

# Acronyms that are not entities in themselves.
ACRONYMS = frozenset({"AM", "PM", "TV", "OK", "GMT", "BST", "UTC", "CEO", "PS", "NB", "ID", "DIY", "FAQ", "ETC",
                      "AKA", "RIP", "VIP", "PDF", "URL", "HTML", "PR"})

# Words that suggest the type of a new entity.
ORGANISATION_WORDS = frozenset("""
agency army association authority bank board bureau club college commission committee company constabulary
corporation council court department federation force foundation fund group inc institute league ltd ministry
office organisation organization parliament party plc police service society trust union university
""".split())
PLACE_WORDS = frozenset("""
avenue bay borough bridge city county district estate hill island lane park road square station street town
valley village ward
""".split())
HONORIFICS = frozenset("sir dame lord lady mr mrs ms miss dr judge".split())
