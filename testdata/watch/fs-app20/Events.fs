// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Events

type EventsItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "events-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 19 + 17

let total (items: EventsItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: EventsItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Cache.scale x + 1
