// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Inventory

type InventoryItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "inventory-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 4 + 2

let total (items: InventoryItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: InventoryItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Money.scale x + 1
