module App.Program

type Counter(start: int) =
    let mutable n = start
    member _.Next() =
        n <- n + 1
        n

let Run () : string =
    let c = Counter 40
    c.Next() |> ignore
    "count " + string (c.Next())
