"""The first version of the Carta etica, as the alliance adopted it (the operator publishes later versions)."""

TITLE = "Carta etica dei fornitori dell'Alleanza Territoriale di Conciliazione"

TEXT = """\
I fornitori di Conciliare sono imprese, cooperative, professionisti e associazioni del territorio di
Val Cavallina, Basso Sebino e Alto Sebino che scelgono di offrire i propri servizi e prodotti ai lavoratori
delle imprese dell'Alleanza. Aderire alla piattaforma significa condividere un'idea di welfare a
chilometro zero: la spesa welfare resta sul territorio, sostiene l'economia locale e, attraverso il
Fondo di Solidarietà, aiuta i lavoratori che attraversano un momento difficile.

Con la sottoscrizione di questa Carta il fornitore si impegna a rispettare gli impegni elencati di
seguito per tutto il tempo in cui offre servizi o prodotti sulla piattaforma, a comunicare
tempestivamente al gestore ogni cambiamento che li riguardi e ad accettare le verifiche del gestore.
Il mancato rispetto degli impegni comporta la sospensione dalla piattaforma.

La Carta può essere aggiornata dal gestore, sentita l'Alleanza: ogni nuova versione deve essere
sottoscritta di nuovo per continuare a vendere sulla piattaforma."""

COMMITMENTS = [
    (
        "solidarity_fund",
        "Aderire al Fondo di Solidarietà dell'Alleanza versando la quota indicata di ogni vendita "
        "effettuata tramite la piattaforma, trattenuta al momento della liquidazione.",
    ),
    (
        "employment",
        "Impiegare solo personale con contratti regolari, applicando i contratti collettivi nazionali "
        "sottoscritti dalle organizzazioni comparativamente più rappresentative, e mantenere regolare "
        "la propria posizione contributiva (DURC valido).",
    ),
    (
        "environment",
        "Ridurre l'impatto ambientale della propria attività: preferire materiali riciclabili, "
        "limitare gli imballaggi e organizzare consegne e spostamenti in modo efficiente.",
    ),
    (
        "territory",
        "Operare sul territorio dell'Alleanza con sede o unità operativa nei tre ambiti distrettuali, "
        "collaborare con la rete dei servizi pubblici e del terzo settore e non cedere a terzi "
        "l'erogazione dei servizi venduti.",
    ),
    (
        "product_origin",
        "Dichiarare con verità l'origine dei prodotti venduti, privilegiando filiere locali e "
        "produzioni del territorio, e non rivendere prodotti della grande distribuzione o del "
        "commercio elettronico.",
    ),
]

FUND_CONTRIBUTION_PERCENT = "2.00"
